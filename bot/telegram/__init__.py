"""Veiviser on Telegram (python-telegram-bot 22): app.py builds and runs the
bot in one process; workers.py runs several behind a front."""
