// Render the Markdown file named on the command line with unified + remark-parse + remark-rehype +
// rehype-slug + rehype-autolink-headings + rehype-stringify, once per behavior.
import fs from 'node:fs'
import {unified} from 'unified'
import remarkParse from 'remark-parse'
import remarkRehype from 'remark-rehype'
import rehypeSlug from 'rehype-slug'
import rehypeAutolinkHeadings from 'rehype-autolink-headings'
import rehypeStringify from 'rehype-stringify'

const src = fs.readFileSync(process.argv[2], 'utf8')
const variants = [
  ['use(rehypeAutolinkHeadings)', undefined, ' (no options: default behavior, prepend)'],
  ["use(rehypeAutolinkHeadings, {behavior: 'prepend'})", {behavior: 'prepend'}],
  ["use(rehypeAutolinkHeadings, {behavior: 'append'})", {behavior: 'append'}],
  ["use(rehypeAutolinkHeadings, {behavior: 'wrap'})", {behavior: 'wrap'}],
]
let out = ''
for (const [i, [label, opts, note = '']] of variants.entries()) {
  const file = await unified()
    .use(remarkParse)
    .use(remarkRehype)
    .use(rehypeSlug)
    .use(rehypeAutolinkHeadings, opts)
    .use(rehypeStringify)
    .process(src)
  out += `<!-- variant ${i + 1}: unified().use(remarkParse).use(remarkRehype).use(rehypeSlug).${label}.use(rehypeStringify)${note} -->\n`
  out += String(file) + '\n'
}
process.stdout.write(out)
