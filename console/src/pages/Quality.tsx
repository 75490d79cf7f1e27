import { useEffect, useMemo, useState } from 'react';
import { CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { graphql, type GraphQLErrorItem } from '../api.js';
import { percent } from '../format.js';

interface FieldQuality { system: string; entityType: string; field: string; records: number; present: number; valid: number | null; distinctValues: number; completeness: number; validity: number | null; uniqueness: number; runId: string; at: string }

const FIELDS = 'system entityType field records present valid distinctValues completeness validity uniqueness runId at';

export function Quality({ token }: { token: string }) {
  const [profile, setProfile] = useState<FieldQuality[]>([]);
  const [trend, setTrend] = useState<FieldQuality[]>([]);
  const [errors, setErrors] = useState<GraphQLErrorItem[]>([]);
  const [entity, setEntity] = useState('customer');
  const [field, setField] = useState('taxId');

  useEffect(() => {
    void graphql<{ qualityProfile: FieldQuality[]; qualityTrend: FieldQuality[] }>(`{ qualityProfile { ${FIELDS} } qualityTrend(runs: 30) { ${FIELDS} } }`, {}, token).then((a) => {
      setProfile(a.data?.qualityProfile ?? []);
      setTrend(a.data?.qualityTrend ?? []);
      setErrors(a.errors);
    });
  }, [token]);

  const rows = profile.filter((p) => p.entityType === entity);
  const fields = [...new Set(rows.map((r) => r.field))];
  const series = useMemo(() => {
    const byRun = new Map<string, Record<string, number | string>>();
    for (const t of trend) {
      if (t.entityType !== entity || t.field !== field) continue;
      const point = byRun.get(t.runId) ?? { at: t.at.slice(0, 16).replace('T', ' ') };
      point[`${t.system} completeness`] = Math.round(t.completeness * 1000) / 10;
      if (t.validity !== null) point[`${t.system} validity`] = Math.round(t.validity * 1000) / 10;
      byRun.set(t.runId, point);
    }
    return [...byRun.values()];
  }, [trend, entity, field]);
  const keys = [...new Set(series.flatMap((p) => Object.keys(p).filter((k) => k !== 'at')))];
  const colors = ['#2471a3', '#c0392b', '#117a65', '#b7950b'];

  return (
    <section aria-labelledby="quality-title">
      <h1 id="quality-title">Data quality</h1>
      {errors.length > 0 && <p role="alert">{errors[0].message}</p>}
      <form className="filters" onSubmit={(e) => e.preventDefault()} aria-label="Choose what to profile">
        <label>Entity
          <select value={entity} onChange={(e) => { setEntity(e.target.value); setField(e.target.value === 'customer' ? 'taxId' : 'gtin'); }}>
            <option value="customer">customers</option>
            <option value="product">products</option>
          </select>
        </label>
        <label>Trend of field
          <select value={field} onChange={(e) => setField(e.target.value)}>
            {fields.map((f) => <option key={f} value={f}>{f}</option>)}
          </select>
        </label>
      </form>
      <table className="profile" aria-label="Quality profile">
        <thead>
          <tr><th scope="col">Source</th><th scope="col">Field</th><th scope="col" className="num">Records</th><th scope="col" className="num">Completeness</th><th scope="col" className="num">Validity</th><th scope="col" className="num">Uniqueness</th></tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={`${r.system}-${r.field}`}>
              <td>{r.system.toUpperCase()}</td><td>{r.field}</td><td className="num">{r.records}</td>
              <td className="num"><meter min={0} max={1} value={r.completeness} aria-label={`${r.system} ${r.field} completeness`} /> {percent(r.completeness)}</td>
              <td className="num">{percent(r.validity)}</td>
              <td className="num">{percent(r.uniqueness)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <figure className="chart">
        <figcaption>Trend of {entity} {field} over profiling runs (%)</figcaption>
        <ResponsiveContainer width="100%" height={240}>
          <LineChart data={series} margin={{ top: 8, right: 16, bottom: 8, left: 0 }}>
            <CartesianGrid strokeDasharray="3 3" />
            <XAxis dataKey="at" tick={{ fontSize: 11 }} />
            <YAxis domain={[0, 100]} tick={{ fontSize: 11 }} />
            <Tooltip />
            <Legend wrapperStyle={{ fontSize: 11 }} />
            {keys.map((k, i) => <Line key={k} dataKey={k} stroke={colors[i % colors.length]} isAnimationActive={false} />)}
          </LineChart>
        </ResponsiveContainer>
      </figure>
    </section>
  );
}
