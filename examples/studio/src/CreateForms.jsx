// A prompt that becomes a single_image task, and a travel pipeline (an orchestrator with segments and a stitch).
// Each shows the estimate before creating and says plainly when the credits do not cover it (402).
import { useDeferredValue, useState } from 'react';
import { useAccount, useCreateTask, useEstimate } from '@conveyor/react';
import { describeError, travelInput } from './lib.js';
import { useTaskToasts } from './taskToasts.js';

function Cost({ estimate, id }) {
  const account = useAccount();
  const available = account.data?.available;
  const cost = estimate.data?.cost;
  if (estimate.isError) return <p className="error" id={id}>{describeError(estimate.error)}</p>;
  if (cost === undefined) return <p className="muted" id={id}>Estimating…</p>;
  const short = available !== undefined && cost > available;
  return (
    <p id={id} className={short ? 'warn' : 'muted'} data-cost={cost}>
      Costs {cost} credit{cost === 1 ? '' : 's'}{available !== undefined && ` · ${available} available`}
      {short && ' — not enough credits'}
    </p>
  );
}

function CreateError({ mutation, estimate, id }) {
  const account = useAccount();
  if (!mutation.error) return null;
  return (
    <p className="error" role="alert" id={id} data-code={mutation.error.code}>
      {describeError(mutation.error, { estimate: estimate.data?.cost, available: account.data?.available })}
    </p>
  );
}

function ShotSelect({ id, shots, value, onChange }) {
  return (
    <>
      <label htmlFor={id}>Into shot</label>
      <select id={id} value={value} onChange={(e) => onChange(e.target.value)}>
        <option value="">— none —</option>
        {shots.map((s) => <option key={s.id} value={s.id}>{s.name}</option>)}
      </select>
    </>
  );
}

export function PromptForm({ projectId, shots, shotId }) {
  const [prompt, setPrompt] = useState('');
  const [size, setSize] = useState(256);
  const [images, setImages] = useState(1);
  const [targetShot, setTargetShot] = useState('');
  const [failOnPurpose, setFailOnPurpose] = useState(false);
  const create = useCreateTask(useTaskToasts());
  const shot = targetShot || shotId;
  const params = { prompt: prompt.trim() || 'untitled', width: size, height: size, num_images: images };
  const estimate = useEstimate({ taskType: 'single_image', params: useDeferredValue({ num_images: images, prompt: 'estimate' }) });
  function submit(e) {
    e.preventDefault();
    if (!prompt.trim()) return;
    const full = { ...params };
    if (shot) full.shot_id = shot;
    if (failOnPurpose) full.fail_permanently = true;
    create.mutate({ projectId, taskType: 'single_image', params: full }, { onSuccess: () => setPrompt('') });
  }
  return (
    <form className="card" onSubmit={submit} aria-labelledby="promptTitle">
      <h2 id="promptTitle">Image</h2>
      <label htmlFor="prompt">Prompt</label>
      <textarea id="prompt" rows={2} value={prompt} onChange={(e) => setPrompt(e.target.value)} required
        placeholder="a lighthouse at dusk, oil painting" maxLength={2000} />
      <div className="row">
        <label htmlFor="size">Size</label>
        <select id="size" value={size} onChange={(e) => setSize(Number(e.target.value))}>
          {[128, 256, 512].map((s) => <option key={s} value={s}>{s}×{s}</option>)}
        </select>
        <label htmlFor="images">Images</label>
        <input id="images" type="number" min={1} max={16} value={images}
          onChange={(e) => setImages(Math.min(16, Math.max(1, Number(e.target.value) || 1)))} />
        <ShotSelect id="promptShot" shots={shots} value={targetShot || shotId} onChange={setTargetShot} />
      </div>
      <label className="check">
        <input id="failOnPurpose" type="checkbox" checked={failOnPurpose} onChange={(e) => setFailOnPurpose(e.target.checked)} />
        <span>Fail on purpose (a demo of a failing task: <code>fail_permanently</code>)</span>
      </label>
      <Cost estimate={estimate} id="estimate" />
      <button type="submit" id="generate" disabled={create.isPending || !prompt.trim()}>
        {create.isPending ? 'Creating…' : 'Generate'}
      </button>
      <CreateError mutation={create} estimate={estimate} id="createError" />
    </form>
  );
}

const newSegment = (i) => ({ key: `${Date.now()}-${i}`, prompt: '', frames: 6 });

export function TravelForm({ projectId, shots, shotId }) {
  const [segments, setSegments] = useState(() => [newSegment(0), newSegment(1)]);
  const [targetShot, setTargetShot] = useState('');
  const create = useCreateTask(useTaskToasts());
  const shot = targetShot || shotId;
  // the cost depends on the segments' count only: the estimate does not wait for prompts
  const input = travelInput(projectId, segments.map((s) => ({ prompt: 'segment', frames: s.frames })));
  const estimate = useEstimate({ taskType: input.taskType, params: useDeferredValue(input.params) });
  const update = (key, change) => setSegments((list) => list.map((s) => (s.key === key ? { ...s, ...change } : s)));
  function submit(e) {
    e.preventDefault();
    if (segments.some((s) => !s.prompt.trim())) return;
    create.mutate(travelInput(projectId, segments, { shotId: shot }), {
      onSuccess: () => setSegments([newSegment(0), newSegment(1)]),
    });
  }
  return (
    <form className="card" onSubmit={submit} aria-labelledby="travelTitle">
      <h2 id="travelTitle">Travel video</h2>
      <ol className="segments">
        {segments.map((s, i) => (
          <li key={s.key} className="row">
            <label htmlFor={`segment-${s.key}`}>Segment {i + 1}</label>
            <input id={`segment-${s.key}`} value={s.prompt} required placeholder="a beach at sunrise"
              onChange={(e) => update(s.key, { prompt: e.target.value })} />
            <label htmlFor={`frames-${s.key}`}>Frames</label>
            <input id={`frames-${s.key}`} type="number" min={1} max={24} value={s.frames}
              onChange={(e) => update(s.key, { frames: Math.min(24, Math.max(1, Number(e.target.value) || 1)) })} />
            <button type="button" className="link" disabled={segments.length === 1} aria-label={`Remove segment ${i + 1}`}
              onClick={() => setSegments((list) => list.filter((x) => x.key !== s.key))}>Remove</button>
          </li>
        ))}
      </ol>
      <div className="row">
        <button type="button" className="secondary" disabled={segments.length >= 10}
          onClick={() => setSegments((list) => [...list, newSegment(list.length)])}>Add segment</button>
        <ShotSelect id="travelShot" shots={shots} value={targetShot || shotId} onChange={setTargetShot} />
      </div>
      <Cost estimate={estimate} id="travelEstimate" />
      <button type="submit" id="travel" disabled={create.isPending}>{create.isPending ? 'Creating…' : 'Create video'}</button>
      <CreateError mutation={create} estimate={estimate} id="travelError" />
    </form>
  );
}
