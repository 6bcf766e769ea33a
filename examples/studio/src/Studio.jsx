// The signed-in studio: header badges, the project / shot pickers, the create forms, the galleries and the history.
import { useEffect, useState } from 'react';
import { useProjects, useShots } from '@conveyor/react';
import { Header } from './Header.jsx';
import { ProjectPicker, ShotPicker } from './Pickers.jsx';
import { PromptForm, TravelForm } from './CreateForms.jsx';
import { ProjectGallery, ShotGallery } from './Galleries.jsx';
import { TaskHistory } from './TaskHistory.jsx';

/** A selection kept in localStorage, so every tab of the studio opens on the same project. */
function useStoredSelection(name) {
  const key = `studio.${name}`;
  const [value, setValue] = useState(() => window.localStorage.getItem(key) || '');
  const set = (next) => {
    if (next) window.localStorage.setItem(key, next);
    else window.localStorage.removeItem(key);
    setValue(next);
  };
  return [value, set];
}

export function Studio({ onSignOut }) {
  const projects = useProjects();
  const [projectId, setProjectId] = useStoredSelection('project');
  const shots = useShots(projectId || null);
  const [shotId, setShotId] = useState('');

  // a stored project that is gone (or none yet): the newest project
  useEffect(() => {
    const list = projects.data;
    if (projects.isFetching || !list || list.length === 0 || list.some((p) => p.id === projectId)) return;
    setProjectId(list[0].id);
  }, [projects.data, projects.isFetching, projectId]); // eslint-disable-line react-hooks/exhaustive-deps
  useEffect(() => {
    if (shotId && shots.data && !shots.data.some((s) => s.id === shotId)) setShotId('');
  }, [shots.data, shotId]);

  return (
    <div className="studio">
      <Header onSignOut={onSignOut} />
      <nav className="sidebar" aria-label="Projects and shots">
        <ProjectPicker projects={projects.data || []} projectId={projectId} onSelect={(id) => { setProjectId(id); setShotId(''); }} />
        {projectId && <ShotPicker projectId={projectId} shots={shots.data || []} shotId={shotId} onSelect={setShotId} />}
      </nav>
      <main className="content">
        {!projectId ? (
          <p className="empty">Create a project to start.</p>
        ) : (
          <>
            <section className="create" aria-label="Create">
              <PromptForm projectId={projectId} shots={shots.data || []} shotId={shotId} />
              <TravelForm projectId={projectId} shots={shots.data || []} shotId={shotId} />
            </section>
            {shotId && <ShotGallery projectId={projectId} shot={(shots.data || []).find((s) => s.id === shotId)} />}
            <ProjectGallery projectId={projectId} shots={shots.data || []} />
            <TaskHistory projectId={projectId} />
          </>
        )}
      </main>
    </div>
  );
}
