print("mrbench")
