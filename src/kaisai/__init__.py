"""kaisai (開催): a self-hostable platform on which tech communities run their meetups."""
