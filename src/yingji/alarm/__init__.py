"""One-key alarm (一键报警): the citizen's button, fan-out, the station's answer, the spool."""
