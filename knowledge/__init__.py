"""Reading Vietnamese directives and turning them into stored facts."""
