// How the Recent list names its files: the file name, with as many parent folders as it takes to
// tell apart two files of the same name (…/a/bar.kairo and …/b/bar.kairo).
export function recentLabels(paths: readonly string[]): string[] {
  const parts = paths.map((p) => p.split(/[\\/]/).filter(Boolean));
  const label = (i: number, depth: number) => parts[i]!.slice(-depth).join('/');
  return paths.map((_, i) => {
    let depth = 1;
    while (depth < parts[i]!.length && paths.some((_, j) => j !== i && label(j, depth) === label(i, depth))) depth++;
    return label(i, depth);
  });
}
