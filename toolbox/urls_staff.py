"""Routes of the toolbox: staff (filled by its views module)."""

urlpatterns = []
