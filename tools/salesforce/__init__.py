"""Typed Salesforce tools: the client, its models and errors."""

from tools.salesforce.client import ApiUsage, SalesforceClient
from tools.salesforce.errors import SalesforceApiError
from tools.salesforce.files import SalesforceFile
from tools.salesforce.models import OpportunityBundle, SalesforceUser

__all__ = ["ApiUsage", "OpportunityBundle", "SalesforceApiError", "SalesforceClient", "SalesforceFile", "SalesforceUser"]
