"""The ``ledgerbridge`` command."""

from __future__ import annotations

import contextlib
import json
from pathlib import Path

import click
import uvicorn

from connectors.lexoffice.sandbox.app import Sandbox, SandboxConfig

from .commands import COMMANDS
from .dev import run_dev
from .serving import bind_socket


@click.group()
@click.version_option(package_name="ledgerbridge")
def main() -> None:
    """LedgerBridge: one accounting API, translated to your customers' accounting systems."""


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on.")
@click.option("--port", default=8090, show_default=True, type=int, help="Port (0 picks a free one).")
@click.option("--api-key", default=None, help="Use this fixed API key for the demo organization.")
@click.option(
    "--rate", default=2.0, show_default=True, type=float, help="Token bucket refill, requests/second."
)
@click.option("--burst", default=2.0, show_default=True, type=float, help="Token bucket capacity.")
@click.option(
    "--company", default="Sandbox GmbH", show_default=True, help="Demo organization's company name."
)
@click.option(
    "--signing-key",
    type=click.Path(dir_okay=False, path_type=Path),
    default=Path(".ledgerbridge/sandbox-signing-key.pem"),
    show_default=True,
    help="PEM file of the webhook signing key (created if missing).",
)
@click.option("--json", "as_json", is_flag=True, help="Print the facts as one JSON line (for scripts).")
def sandbox(
    host: str,
    port: int,
    api_key: str | None,
    rate: float,
    burst: float,
    company: str,
    signing_key: Path,
    as_json: bool,
) -> None:
    """Serve the lexoffice sandbox (a faithful simulator of the lexoffice API)."""
    app = Sandbox(SandboxConfig(rate=rate, burst=burst, signing_key_path=signing_key))
    org, token = app.add_organization(company, api_key=api_key)
    sock = bind_socket(host, port)
    url = f"http://{host}:{sock.getsockname()[1]}"
    facts = {"sandbox_url": url, "api_key": token, "organization_id": org.id}
    if as_json:
        click.echo(json.dumps(facts), nl=True)
    else:
        click.echo(f"lexoffice sandbox listening on {url}  (rate {rate}/s, burst {burst})")
        click.echo(f"  organization: {org.id} ({company})")
        click.echo(f"  API key:      {token}")
        click.echo(f"  try:          curl -H 'Authorization: Bearer {token}' {url}/v1/profile")
        click.echo(f"  webhook key:  {url}/_sandbox/public-key.pem")
    server = uvicorn.Server(uvicorn.Config(app.asgi, log_level="warning", access_log=False))
    server.run(sockets=[sock])


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface for gateway and sandbox.")
@click.option("--port", default=8080, show_default=True, type=int, help="Gateway port (0 picks a free one).")
@click.option("--sandbox-port", default=0, show_default=True, type=int, help="Sandbox port (0: a free one).")
@click.option(
    "--data-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path(".ledgerbridge/dev"),
    show_default=True,
    help="Where the embedded Redis keeps its data (AOF) and the demo's sandbox key lives.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the facts as one JSON object on the first line.")
def dev(host: str, port: int, sandbox_port: int, data_dir: Path, as_json: bool) -> None:
    """Run it all locally: embedded Redis, the lexoffice sandbox, the gateway, a demo tenant and account."""
    with contextlib.suppress(KeyboardInterrupt):
        run_dev(host, port, sandbox_port, data_dir, as_json)


for _command in COMMANDS:
    main.add_command(_command)


if __name__ == "__main__":
    main()
