import type { ReactNode } from "react";

// Only http(s) and mailto links become anchors: a proposal's author must not be able to run script in the page.
const SAFE_LINK = /^(https?:|mailto:)/i;
const INLINE = /(\*\*[^*]+\*\*|\*[^*]+\*|`[^`]+`|\[[^\]]+\]\([^)\s]+\))/g;

function inline(text: string, key: string): ReactNode[] {
  return text.split(INLINE).map((part, index) => {
    const id = `${key}-${index}`;
    if (part.startsWith("**") && part.endsWith("**") && part.length > 4)
      return <strong key={id}>{part.slice(2, -2)}</strong>;
    if (part.startsWith("`") && part.endsWith("`") && part.length > 2) return <code key={id}>{part.slice(1, -1)}</code>;
    if (part.startsWith("*") && part.endsWith("*") && part.length > 2) return <em key={id}>{part.slice(1, -1)}</em>;
    const link = /^\[([^\]]+)\]\(([^)\s]+)\)$/.exec(part);
    if (link !== null) {
      return SAFE_LINK.test(link[2]) ? (
        <a key={id} href={link[2]} rel="noopener noreferrer nofollow" target="_blank">
          {link[1]}
        </a>
      ) : (
        link[1]
      );
    }
    return part;
  });
}

/**
 * A proposal description's Markdown (headings, paragraphs, lists, emphasis, code, links) rendered as React elements:
 * any HTML in it stays text, never markup.
 */
export function MarkdownView({ source }: { source: string }) {
  const blocks: ReactNode[] = [];
  const lines = source.replace(/\r\n/g, "\n").split("\n");
  let index = 0;
  while (index < lines.length) {
    const line = lines[index];
    const key = `b${index}`;
    const heading = /^(#{1,6})\s+(.*)$/.exec(line);
    if (line.trim() === "") {
      index += 1;
    } else if (line.startsWith("```")) {
      const code: string[] = [];
      index += 1;
      while (index < lines.length && !lines[index].startsWith("```")) code.push(lines[index++]);
      index += 1;
      blocks.push(
        <pre key={key}>
          <code>{code.join("\n")}</code>
        </pre>,
      );
    } else if (heading !== null) {
      // The page's own h1 is the title: description headings start one level below the section's.
      const level = Math.min(6, heading[1].length + 2);
      const Tag = `h${level}` as "h3";
      blocks.push(<Tag key={key}>{inline(heading[2], key)}</Tag>);
      index += 1;
    } else if (/^\s*([-*]|[0-9]+\.)\s+/.test(line)) {
      const ordered = /^\s*[0-9]+\./.test(line);
      const items: ReactNode[] = [];
      while (index < lines.length && /^\s*([-*]|[0-9]+\.)\s+/.test(lines[index])) {
        items.push(<li key={index}>{inline(lines[index].replace(/^\s*([-*]|[0-9]+\.)\s+/, ""), `l${index}`)}</li>);
        index += 1;
      }
      blocks.push(ordered ? <ol key={key}>{items}</ol> : <ul key={key}>{items}</ul>);
    } else {
      const paragraph: string[] = [];
      while (
        index < lines.length &&
        lines[index].trim() !== "" &&
        !/^(#{1,6}\s|```|\s*([-*]|[0-9]+\.)\s+)/.test(lines[index])
      ) {
        paragraph.push(lines[index++]);
      }
      blocks.push(<p key={key}>{inline(paragraph.join(" "), key)}</p>);
    }
  }
  return <div className="markdown">{blocks}</div>;
}
