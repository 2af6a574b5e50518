"""ASGI entry point for uvicorn: ``uvicorn yingji.asgi:app``."""

from yingji.app import create_app

app = create_app(migrate_on_start=False)
