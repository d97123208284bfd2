"""`python -m wecomply callback serve`: the callback receiver outside the api-server."""

from __future__ import annotations

import argparse


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("callback", help="企业微信回调接收 / WeCom callback receiver")
    actions = parser.add_subparsers(dest="action", required=True)
    serve = actions.add_parser(
        "serve",
        help="独立运行回调服务 / serve the receiver (reads AIRFLOW_CONN_WECOM_DEFAULT and AIRFLOW_CONN_WECOMPLY_DB)",
    )
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8765)
    serve.add_argument("--conn-id", default="wecom_default")
    serve.set_defaults(handler=_serve)


def _serve(args: argparse.Namespace) -> int:
    import uvicorn

    from wecomply.airflow_glue.callback import callback_app, resolve_receiver

    resolve_receiver(args.conn_id)  # fail now, with a clear message, if settings are missing
    print(f"WeCom callback URL: http://{args.host}:{args.port}/wecom/callback", flush=True)
    uvicorn.run(callback_app(args.conn_id), host=args.host, port=args.port, log_level="info")
    return 0
