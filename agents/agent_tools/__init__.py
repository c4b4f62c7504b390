"""Read-only `@tool` functions the specialists' models may call, over the typed clients and the run's data.

None of them writes: a specialist's writes go into its write plan and through approval. Each reads what it
needs from the agent's `ToolContext` (given at invoke time), so one tool serves every agent that binds it.
"""
