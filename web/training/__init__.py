"""Training: catalogue, modules, steps with quizzes, certificates, the team view and its API."""
