"""Full rooms (issue 12): a simulation benchmark of acceptance policies on kaisai's services."""
