"""The staff dashboard shell: login, layout, navigation, home, and the company switcher."""
