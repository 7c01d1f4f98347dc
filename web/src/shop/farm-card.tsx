import { Link } from "react-router";

import type { Farm } from "../../../protocol/api/farms";
import { PhotoImage } from "../components/photo-image";

/** A farm in a list: photo, name and region, linking to the farm's page. */
export function FarmCard({ farm }: { farm: Farm }) {
  return (
    <li className="card">
      <Link to={`/farms/${farm.slug}`} className="card-link">
        {farm.photo === null ? (
          <div className="photo photo-missing" aria-hidden="true" />
        ) : (
          <PhotoImage photo={farm.photo} alt="" sizes="(min-width: 1100px) 260px, (min-width: 700px) 30vw, 46vw" />
        )}
        <span className="card-title">{farm.name}</span>
      </Link>
      <span className="card-meta">{farm.region}</span>
    </li>
  );
}
