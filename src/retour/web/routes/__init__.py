"""The pages, one router per thing the user does: thin routes over the services, rendered
on the server (Jinja2, htmx). :mod:`.common` holds what they share."""
