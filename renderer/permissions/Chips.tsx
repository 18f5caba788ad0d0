/** Values of a closed set, one chip each: labels such as "Allergies and intolerances" hold "and". */
export function Chips({ values, label }: { values: readonly string[]; label: string }) {
  return (
    <ul className="chips" aria-label={label}>
      {values.map((v) => (
        <li key={v}>{v}</li>
      ))}
    </ul>
  );
}
