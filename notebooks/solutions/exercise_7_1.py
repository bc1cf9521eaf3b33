answer = "a"  # HttpOnly hides the cookie from document.cookie; SameSite and HTTPS do the rest
