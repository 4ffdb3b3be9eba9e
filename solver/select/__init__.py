"""Selection: strategies (YAML files in strategies/) and the policies that apply them."""
