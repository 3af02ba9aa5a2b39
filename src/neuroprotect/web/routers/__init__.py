"""One router per resource: the JSON API (``api_*``) and the server-rendered pages (``pages_*``)."""
