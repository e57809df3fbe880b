app_name = "hsds_api"
urlpatterns = []
