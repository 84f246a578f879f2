"""(placeholder: being implemented)"""

ROUTES: list[object] = []
