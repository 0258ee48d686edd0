import { TrendPanel } from "../charts/charts";
import { useStore } from "../store";

export function Charts() {
  const { me } = useStore();
  return (
    <main id="main">
      <h1>Charts</h1>
      <TrendPanel unit={me?.vitamin_d_unit ?? "ng/mL"} />
    </main>
  );
}
