attacker.get("/")                # 1. the attacker gets a session id of their own
victim.jar.update(attacker.jar)  # 2. ...and plants it in the victim's browser
victim.get("/login")             # 3. the victim logs in
attempt = attacker.get("/")      # 4. the attacker tries the planted id
show_step(attempt)
