# Spin forever.
counter = 0
while True:
    counter += 1
