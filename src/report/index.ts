// What users see of a campaign besides the Web UI: the HTML report, dataset export and live progress.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { CampaignSnapshot } from '../client/campaign';
import type { ArtifactStore } from '../store';
import { collectReportData, type ReportData } from './data';
import { renderReportHtml } from './html';

export { collectReportData, type ReportData } from './data';
export { renderReportHtml } from './html';

export const defaultReportPath = (campaign: string) => `.rloop/reports/${campaign}.html`;

/** Reads the campaign's reports from the store and writes the HTML file; returns its path and data. */
export async function writeCampaignReport(opts: {
  /** The campaign as read from Temporal (client/campaign.ts loadCampaign). */
  snapshot: CampaignSnapshot;
  store: ArtifactStore;
  out?: string;
}): Promise<{ path: string; data: ReportData; bytes: number }> {
  const data = await collectReportData(opts.snapshot, opts.store);
  const html = renderReportHtml(data);
  const path = resolve(opts.out ?? defaultReportPath(opts.snapshot.campaign));
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, html);
  return { path, data, bytes: Buffer.byteLength(html) };
}
