"""Risk points and hazard sources (风险点 / 危险源), their assessments and control measures."""
