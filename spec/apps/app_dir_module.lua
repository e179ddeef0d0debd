return "module from the app directory"
