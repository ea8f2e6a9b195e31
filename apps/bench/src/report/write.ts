import * as fs from 'fs';
import * as path from 'path';
import type { BenchReport } from '../results';
import { renderMarkdown } from './markdown';

/** Writes bench-<time>.json and latest.json into `outDir`, and the Markdown report; returns the paths. */
export function writeReports(report: BenchReport, outDir: string, reportFile: string): { jsonFile: string; latestFile: string; reportFile: string } {
  fs.mkdirSync(outDir, { recursive: true });
  const stamp = report.finishedAt.replace(/[:.]/g, '-');
  const json = `${JSON.stringify(report, null, 2)}\n`;
  const jsonFile = path.join(outDir, `bench-${stamp}.json`);
  const latestFile = path.join(outDir, 'latest.json');
  fs.writeFileSync(jsonFile, json);
  fs.writeFileSync(latestFile, json);
  fs.mkdirSync(path.dirname(reportFile), { recursive: true });
  fs.writeFileSync(reportFile, renderMarkdown(report));
  return { jsonFile, latestFile, reportFile };
}
