print("tierline")
