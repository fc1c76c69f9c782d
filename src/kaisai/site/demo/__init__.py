"""Demo data: a realistic meetup series (Machine Learning Casual Talks) and a few other groups,
generated deterministically (fixed random seed) through the models. Load it with `kaisai demo`.
"""
