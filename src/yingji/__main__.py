from yingji.cli import app

app()
