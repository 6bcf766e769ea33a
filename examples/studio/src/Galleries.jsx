// The project's gallery and the selected shot's gallery (ordered positions, unpositioned ones, PUT position).
import { useMutation } from '@tanstack/react-query';
import { useConveyor, useGenerations, useUnpositionedCount } from '@conveyor/react';
import { describeError, nextPosition } from './lib.js';

function Media({ generation }) {
  return (
    <img src={generation.location} alt={`${generation.type} ${generation.params?.prompt || generation.metadata?.prompt || ''}`}
      loading="lazy" data-generation-id={generation.id} width={160} height={160} />
  );
}

/** PUT /v1/shots/{id}/generations/{generationId} {position}: the gateway's frames refresh both galleries. */
function usePlace(shotId) {
  const conveyor = useConveyor();
  return useMutation({ mutationFn: ({ generationId, position }) => conveyor.shots.place(shotId, generationId, position) });
}

export function ProjectGallery({ projectId, shots }) {
  const gallery = useGenerations({ projectId }, { limit: 48 });
  const conveyor = useConveyor();
  const place = useMutation({ mutationFn: ({ shotId, generationId }) => conveyor.shots.place(shotId, generationId, null) });
  const items = gallery.data?.items || [];
  return (
    <section className="card" aria-labelledby="galleryTitle">
      <h2 id="galleryTitle">Gallery <small>{gallery.data ? `${gallery.data.total}` : ''}</small></h2>
      {gallery.isError && <p className="error">{describeError(gallery.error)}</p>}
      {items.length === 0 && gallery.data && <p className="empty">No images yet: generate one above.</p>}
      <ul id="gallery" className="grid">
        {items.map((g) => (
          <li key={g.id}>
            <figure>
              <Media generation={g} />
              <figcaption>
                {g.type}
                {shots.length > 0 && (
                  <>
                    <label htmlFor={`addTo-${g.id}`} className="sr-only">Add to shot</label>
                    <select id={`addTo-${g.id}`} value="" disabled={place.isPending}
                      onChange={(e) => e.target.value && place.mutate({ shotId: e.target.value, generationId: g.id })}>
                      <option value="">Add to shot…</option>
                      {shots.filter((s) => !g.shots.some((x) => x.shotId === s.id))
                        .map((s) => <option key={s.id} value={s.id}>{s.name}</option>)}
                    </select>
                  </>
                )}
              </figcaption>
            </figure>
          </li>
        ))}
      </ul>
      {place.error && <p className="error" role="alert">{describeError(place.error)}</p>}
    </section>
  );
}

export function ShotGallery({ projectId, shot }) {
  const items = useGenerations({ shotId: shot?.id, projectId }, undefined, { enabled: Boolean(shot) });
  const unpositioned = useUnpositionedCount(shot?.id, { projectId });
  const place = usePlace(shot?.id);
  if (!shot) return null;
  const list = items.data || [];
  const positioned = list.filter((g) => g.position != null);
  const loose = list.filter((g) => g.position == null);
  const move = (g, delta) => {
    const target = positioned[positioned.indexOf(g) + delta];
    if (target) place.mutate({ generationId: g.id, position: target.position });
  };
  return (
    <section className="card" aria-labelledby="shotTitle">
      <h2 id="shotTitle">
        Shot “{shot.name}” <span id="unpositioned" className="badge muted" data-count={unpositioned.data ?? ''}>
          {unpositioned.data ?? '…'} unpositioned</span>
      </h2>
      {list.length === 0 && items.data && <p className="empty">Nothing in this shot: add images from the gallery.</p>}
      <ol id="shotGallery" className="grid">
        {positioned.map((g, i) => (
          <li key={g.id}>
            <figure>
              <Media generation={g} />
              <figcaption>
                #{g.position}
                <button type="button" className="link" disabled={i === 0 || place.isPending} onClick={() => move(g, -1)}
                  aria-label={`Move ${g.position} earlier`}>◀</button>
                <button type="button" className="link" disabled={i === positioned.length - 1 || place.isPending}
                  onClick={() => move(g, 1)} aria-label={`Move ${g.position} later`}>▶</button>
              </figcaption>
            </figure>
          </li>
        ))}
        {loose.map((g) => (
          <li key={g.id} className="loose">
            <figure>
              <Media generation={g} />
              <figcaption>
                unpositioned
                <button type="button" className="secondary" disabled={place.isPending}
                  onClick={() => place.mutate({ generationId: g.id, position: nextPosition(list) })}>Place at end</button>
              </figcaption>
            </figure>
          </li>
        ))}
      </ol>
      {place.error && <p className="error" role="alert">{describeError(place.error)}</p>}
    </section>
  );
}
