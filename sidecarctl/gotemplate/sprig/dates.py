"""placeholder"""
FUNCS: dict = {}
