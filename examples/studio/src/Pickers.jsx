// Choose or create a project and a shot.
import { useState } from 'react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { keys } from '@conveyor/client';
import { projectsKey, useConveyor } from '@conveyor/react';
import { describeError } from './lib.js';

function CreateByName({ id, label, placeholder, create, onCreated }) {
  const [name, setName] = useState('');
  const mutation = useMutation({
    mutationFn: create,
    onSuccess: (created) => {
      setName('');
      onCreated(created);
    },
  });
  return (
    <form className="inline" onSubmit={(e) => { e.preventDefault(); if (name.trim()) mutation.mutate(name.trim()); }}>
      <label htmlFor={id} className="sr-only">{label}</label>
      <input id={id} value={name} onChange={(e) => setName(e.target.value)} placeholder={placeholder} maxLength={200} />
      <button type="submit" id={`${id}Create`} disabled={mutation.isPending}>Add</button>
      {mutation.error && <p className="error" role="alert">{describeError(mutation.error)}</p>}
    </form>
  );
}

export function ProjectPicker({ projects, projectId, onSelect }) {
  const conveyor = useConveyor();
  const queryClient = useQueryClient();
  return (
    <div className="picker">
      <label htmlFor="project">Project</label>
      <select id="project" value={projectId} onChange={(e) => onSelect(e.target.value)} disabled={projects.length === 0}>
        {projects.length === 0 && <option value="">No projects yet</option>}
        {projects.map((p) => <option key={p.id} value={p.id}>{p.name}</option>)}
      </select>
      <CreateByName id="projectName" label="New project name" placeholder="New project…"
        create={(name) => conveyor.projects.create({ name })}
        onCreated={(project) => {
          // no realtime key exists for the project list: refresh it here, then open the new project
          queryClient.invalidateQueries({ queryKey: projectsKey() });
          onSelect(project.id);
        }} />
    </div>
  );
}

export function ShotPicker({ projectId, shots, shotId, onSelect }) {
  const conveyor = useConveyor();
  const queryClient = useQueryClient();
  return (
    <div className="picker">
      <label htmlFor="shot">Shot</label>
      <select id="shot" value={shotId} onChange={(e) => onSelect(e.target.value)}>
        <option value="">— no shot —</option>
        {shots.map((s) => <option key={s.id} value={s.id}>{s.name}</option>)}
      </select>
      <CreateByName id="shotName" label="New shot name" placeholder="New shot…"
        create={(name) => conveyor.shots.create(projectId, { name })}
        onCreated={(shot) => {
          // the gateway also sends keys.shots(projectId); refreshing now just saves the round trip
          queryClient.invalidateQueries({ queryKey: keys.shots(projectId) });
          onSelect(shot.id);
        }} />
    </div>
  );
}
