rolling_server = start_server(name="rolling", max_age=2, rolling=True)
active = NotebookClient(rolling_server, name="active")
active.get("/login")
for _ in range(4):  # 2.8 s after the login in all, longer than max_age, but never idle for long
    wait(0.7)
    active.get("/")
show_step(active.last)
