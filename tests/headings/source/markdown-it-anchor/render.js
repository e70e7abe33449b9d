// Render the Markdown file named on the command line with markdown-it + markdown-it-anchor, one block
// per permalink style documented in markdown-it-anchor's README.
const fs = require('fs')
const MarkdownIt = require('markdown-it')
const anchor = require('markdown-it-anchor')
const src = fs.readFileSync(process.argv[2], 'utf8')
const variants = [
  ['md.use(anchor); no permalink option: plugin default, ids only', {}],
  ['md.use(anchor, { permalink: anchor.permalink.headerLink() })', { permalink: anchor.permalink.headerLink() }],
  ['md.use(anchor, { permalink: anchor.permalink.headerLink({ safariReaderFix: true }) })', { permalink: anchor.permalink.headerLink({ safariReaderFix: true }) }],
  ['md.use(anchor, { permalink: anchor.permalink.ariaHidden() })', { permalink: anchor.permalink.ariaHidden() }],
  ["md.use(anchor, { permalink: anchor.permalink.ariaHidden({ placement: 'before' }) })", { permalink: anchor.permalink.ariaHidden({ placement: 'before' }) }],
  ['md.use(anchor, { permalink: anchor.permalink.linkInsideHeader() })', { permalink: anchor.permalink.linkInsideHeader() }],
  ["md.use(anchor, { permalink: anchor.permalink.linkInsideHeader({ symbol: (the README's multi-line template literal with a visually-hidden 'Jump to heading' span and an aria-hidden '#' span), placement: 'before' }) })",
    { permalink: anchor.permalink.linkInsideHeader({ symbol: `
      <span class="visually-hidden">Jump to heading</span>
      <span aria-hidden="true">#</span>
    `, placement: 'before' }) }],
  ["md.use(anchor, { permalink: anchor.permalink.linkAfterHeader({ style: 'visually-hidden', assistiveText: title => `Permalink to “${title}”`, visuallyHiddenClass: 'visually-hidden', wrapper: ['<div class=\"wrapper\">', '</div>'] }) })",
    { permalink: anchor.permalink.linkAfterHeader({ style: 'visually-hidden', assistiveText: title => `Permalink to “${title}”`, visuallyHiddenClass: 'visually-hidden', wrapper: ['<div class="wrapper">', '</div>'] }) }],
]
let out = ''
variants.forEach(([label, opts], i) => {
  const md = MarkdownIt().use(anchor, opts)
  out += `<!-- variant ${i + 1}: ${label} -->\n`
  out += md.render(src)
})
process.stdout.write(out)
