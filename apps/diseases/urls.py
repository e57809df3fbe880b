app_name = "diseases"
urlpatterns = []
