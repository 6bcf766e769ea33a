-- Pipelines are one unit (docs/rest.md "Pipelines"). A task whose type spawns children holds the whole pipeline's
-- cost at create; spawn_budget is the part of its hold (of cost) not yet handed to the children it will create.
-- A child a worker creates under a parent draws its cost from the parent's spawn_budget (from_parent = true): the
-- account's held amount does not change, the parent's cost and spawn_budget go down by the child's cost.
ALTER TABLE tasks ADD COLUMN spawn_budget bigint NOT NULL DEFAULT 0;
ALTER TABLE tasks ADD COLUMN from_parent boolean NOT NULL DEFAULT false;
ALTER TABLE tasks ADD CONSTRAINT spawn_budget_within_cost CHECK (spawn_budget >= 0 AND spawn_budget <= cost);
