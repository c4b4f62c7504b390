"""SOQL: a lark grammar, a parser producing typed nodes, and an executor that translates queries to SQLite SQL."""
