from demo_server.i18n import _

seed_like = start_server(name="seed-like", save_uninitialized=True)  # express-session's saveUninitialized: true
newcomer = NotebookClient(seed_like, name=_("newcomer"))
show_step(newcomer.get("/"))
