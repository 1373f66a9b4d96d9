/** A mail's HTML body turned into plain text and into sanitised HTML (parse-mail.ts). Pure. */
import { compile, type HtmlToTextOptions } from 'html-to-text';
import sanitizeHtml from 'sanitize-html';

const HTML_TO_TEXT_OPTIONS: HtmlToTextOptions = {
  wordwrap: false,
  limits: { maxInputLength: 4_000_000, maxDepth: 250, maxChildNodes: 20_000, ellipsis: '…' },
  selectors: [
    { selector: 'img', format: 'skip' },
    { selector: 'table', format: 'dataTable', options: { uppercaseHeaderCells: false } },
    {
      selector: 'a',
      options: {
        hideLinkHrefIfSameAsText: true,
        linkBrackets: ['<', '>'],
        // Only web and mail links are worth showing (html-to-text has already dropped `mailto:`);
        // `javascript:`, anchors and the like become plain text.
        pathRewrite: (href: string) => (/^https?:|^[^:/\s]+@[^:/\s]+$/i.test(href) ? href : ''),
      },
    },
    ...['h1', 'h2', 'h3', 'h4', 'h5', 'h6'].map((selector) => ({ selector, options: { uppercase: false } })),
  ],
};
const htmlToPlainText = compile(HTML_TO_TEXT_OPTIONS);

/** Images in sanitised HTML may only point inside the message (`cid:`) or be inline raster data. */
const SAFE_DATA_IMAGE = /^data:image\/(png|gif|jpe?g|webp|bmp);/i;

const SANITIZE_OPTIONS: sanitizeHtml.IOptions = {
  allowedTags: (
    'p br div span b strong i em u s strike del sub sup small font a ul ol li blockquote pre code hr ' +
    'h1 h2 h3 h4 h5 h6 table thead tbody tfoot tr td th caption img'
  ).split(' '),
  allowedAttributes: {
    a: ['href', 'title'],
    img: ['src', 'alt', 'title', 'width', 'height'],
    td: ['colspan', 'rowspan'],
    th: ['colspan', 'rowspan'],
  },
  allowedSchemes: ['http', 'https', 'mailto'],
  allowedSchemesByTag: { img: ['cid', 'data'] },
  allowedSchemesAppliedToAttributes: ['href', 'src'],
  allowProtocolRelative: false,
  nonTextTags: ['script', 'style', 'textarea', 'option', 'noscript', 'title', 'head', 'xml'],
  transformTags: {
    img: (tagName, attribs) => {
      const src = attribs.src ?? '';
      if (/^data:/i.test(src) && !SAFE_DATA_IMAGE.test(src)) {
        return {
          tagName,
          attribs: Object.fromEntries(Object.entries(attribs).filter(([name]) => name !== 'src')),
        };
      }
      return { tagName, attribs };
    },
  },
  exclusiveFilter: (frame) => frame.tag === 'img' && !frame.attribs.src,
};

/** A mail's HTML body as plain text: links kept as `<href>`, images dropped, never throws. */
export function htmlToText(html: string): string {
  try {
    return htmlToPlainText(html);
  } catch {
    // A tree too deep or too odd for the converter: fall back to dropping the tags.
    return html
      .replace(/<(script|style|head)[\s\S]*?<\/\1\s*>/gi, ' ')
      .replace(/<[^>]*>/g, ' ')
      .replace(/[ \t]+/g, ' ')
      .trim();
  }
}

/**
 * A mail's HTML body made safe to show in the staff pages: an allow-list of tags and attributes,
 * images only from the message itself (`cid:`) or inline raster data; undefined when nothing is left.
 */
export function sanitiseMailHtml(html: string): string | undefined {
  try {
    const clean = sanitizeHtml(html, SANITIZE_OPTIONS).trim();
    return clean === '' ? undefined : clean;
  } catch {
    return undefined;
  }
}
