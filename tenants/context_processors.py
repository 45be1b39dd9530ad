def territory(request):
    """The territory of the site being viewed (None on the national site)."""
    tenant = getattr(request, "tenant", None)
    if tenant is None or tenant.is_public:
        return {"territory": None}
    return {"territory": tenant}
