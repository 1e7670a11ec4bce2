// `pnpm docs:links` (a step of `npm test`): every relative link and #anchor in the repository's
// Markdown must resolve. remark-validate-links checks files and headings offline; it does not fetch
// external URLs (those change without us and would make the gate flaky).
import remarkValidateLinks from 'remark-validate-links';

export default {
  plugins: [[remarkValidateLinks, { repository: false }]],
};
