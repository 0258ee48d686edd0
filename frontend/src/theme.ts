// Light, dark or the system's choice; the CSS does the rest with [data-theme].
export type Theme = "system" | "light" | "dark";
const KEY = "spasm-diary:theme";

export function getTheme(): Theme {
  return (localStorage.getItem(KEY) as Theme) || "system";
}

export function applyTheme(theme: Theme = getTheme()): void {
  localStorage.setItem(KEY, theme);
  if (theme === "system") delete document.documentElement.dataset.theme;
  else document.documentElement.dataset.theme = theme;
}
