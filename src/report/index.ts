// What users see of a campaign besides the Web UI: the HTML report, dataset export and live progress.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { Client } from '@temporalio/client';
import type { ArtifactStore } from '../store';
import { loadCampaign } from './campaign';
import { collectReportData, type ReportData } from './data';
import { renderReportHtml } from './html';

export { CampaignNotFoundError, loadCampaign, type CampaignSnapshot } from './campaign';
export { collectReportData, type ReportData } from './data';
export { renderReportHtml } from './html';

export const defaultReportPath = (campaign: string) => `.rloop/reports/${campaign}.html`;

/** Reads the campaign from Temporal and its reports from the store, writes the HTML file; returns its path and data. */
export async function writeCampaignReport(opts: {
  client: Client;
  store: ArtifactStore;
  campaign: string;
  out?: string;
}): Promise<{ path: string; data: ReportData; bytes: number }> {
  const snapshot = await loadCampaign(opts.client, opts.campaign);
  const data = await collectReportData(snapshot, opts.store);
  const html = renderReportHtml(data);
  const path = resolve(opts.out ?? defaultReportPath(opts.campaign));
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, html);
  return { path, data, bytes: Buffer.byteLength(html) };
}
