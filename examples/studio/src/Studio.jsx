// The signed-in studio: header badges, the project / shot pickers, the create forms, the galleries and the history.
import { useState } from 'react';
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
  const [storedProject, setProjectId] = useStoredSelection('project');
  const [chosenShot, setShotId] = useState('');
  // What is shown: the chosen project / shot once the (refetched) lists have it — a just-created one appears when its
  // list answers — else the newest project and no shot. The choice itself is kept, never reset by a stale list.
  const projectList = projects.data || [];
  const projectId = projectList.some((p) => p.id === storedProject) ? storedProject : projectList[0]?.id || '';
  const shots = useShots(projectId || null);
  const shotList = shots.data || [];
  const shot = shotList.find((s) => s.id === chosenShot);
  const shotId = shot ? shot.id : '';

  return (
    <div className="studio">
      <Header onSignOut={onSignOut} />
      <nav className="sidebar" aria-label="Projects and shots">
        <ProjectPicker projects={projectList} projectId={projectId} onSelect={(id) => { setProjectId(id); setShotId(''); }} />
        {projectId && <ShotPicker projectId={projectId} shots={shotList} shotId={shotId} onSelect={setShotId} />}
      </nav>
      <main className="content">
        {!projectId ? (
          <p className="empty">Create a project to start.</p>
        ) : (
          <>
            <section className="create" aria-label="Create">
              <PromptForm projectId={projectId} shots={shotList} shotId={shotId} />
              <TravelForm projectId={projectId} shots={shotList} shotId={shotId} />
            </section>
            {shot && <ShotGallery projectId={projectId} shot={shot} />}
            <ProjectGallery projectId={projectId} shots={shotList} />
            <TaskHistory projectId={projectId} />
          </>
        )}
      </main>
    </div>
  );
}
