"""`contractloop demo`: the loop on the embedded sandbox, end to end, narrated."""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from contractloop.render import console, print_bundle
from contractloop.settings import Settings
from sandbox.stack import SandboxStack
from tools.salesforce import SalesforceClient


def add_parser(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("demo", help="run the whole loop on the local sandbox and show what changed")
    parser.add_argument("--opportunities", type=int, default=120, help="size of the seeded sandbox org")
    parser.add_argument("--interactive", action="store_true", help="ask a human at each approval")
    parser.set_defaults(handler=run)


def settings_for(stack: SandboxStack) -> Settings:
    env = {k.lower(): v for k, v in stack.env().items()}
    return Settings(_env_file=None, **env)  # type: ignore[call-arg]


def run(args: argparse.Namespace) -> int:
    with tempfile.TemporaryDirectory(prefix="contractloop-demo-") as tmp:
        stack = SandboxStack(Path(tmp), opportunities=args.opportunities, sf_port=None, ironclad_port=None,
                             fresh=True)
        with stack:
            console.rule("[bold]contractloop demo[/bold] — sandbox org and Ironclad tenant on loopback")
            console.print(f"Salesforce sandbox: {stack.salesforce.instance_url}  "
                          f"Ironclad sandbox: {stack.ironclad.base_url}")
            settings = settings_for(stack)
            sf = SalesforceClient.from_settings(settings)
            contracting = sf.query(
                "SELECT Id, Name, Amount FROM Opportunity WHERE StageName = 'Contracting' ORDER BY Amount DESC"
                " LIMIT 5")
            console.print(f"{len(contracting)} opportunities in Contracting (top 5 by amount):")
            for rec in contracting:
                console.print(f"  {rec['Id']}  {rec['Name']}  {rec['Amount']:,.2f}")
            stack.salesforce.reset_usage()
            bundle = sf.read_opportunity_bundle(contracting[0]["Id"])
            console.rule("Opportunity bundle, read through the typed client in one SOQL query")
            print_bundle(bundle)
            console.print(f"Salesforce API calls for the bundle read: {stack.salesforce.api_calls}")
    return 0
