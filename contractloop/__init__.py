"""contractloop: closes the loop between Salesforce and Ironclad with LangGraph agents."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("contractloop")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0+unknown"
